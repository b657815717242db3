import { describe, expect, it } from 'vitest';
import { OutputTail } from './output-tail.js';

describe('OutputTail', () => {
  it('keeps everything under the cap', () => {
    const tail = new OutputTail(10);
    tail.push(Buffer.from('abc'));
    tail.push(Buffer.from('def'));
    expect(tail.text()).toBe('abcdef');
    expect(tail.truncated).toBe(false);
  });

  it('keeps exactly the last bytes over the cap and says it truncated', () => {
    const tail = new OutputTail(4);
    for (const chunk of ['hello', ' ', 'world']) tail.push(Buffer.from(chunk));
    expect(tail.text()).toBe('orld');
    expect(tail.truncated).toBe(true);
  });

  it('keeps nothing with a zero cap', () => {
    const tail = new OutputTail(0);
    tail.push(Buffer.from('x'));
    expect(tail.text()).toBe('');
    expect(tail.truncated).toBe(true);
  });

  it('keeps the exact tail of a long stream of chunks', () => {
    const tail = new OutputTail(1000);
    let all = '';
    for (let index = 0; index < 5000; index += 1) {
      const chunk = `line ${index}\n`;
      all += chunk;
      tail.push(Buffer.from(chunk));
    }
    expect(tail.text()).toBe(all.slice(-1000));
  });
});
