// The relay runs inside the sandbox, where the network namespace has only loopback: it listens
// on 127.0.0.1, forwards every connection to the proxy's bound Unix socket, and then runs the
// command with HTTP(S)_PROXY pointing at itself. Starting the command only once the relay
// listens means no request can race it. Plain JavaScript because it runs under bare `node -e`.
const RELAY_SOURCE = `
const net = require('node:net');
const { spawn } = require('node:child_process');
const [socketPath, file, ...args] = process.argv.slice(1);
const relay = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
relay.listen(0, '127.0.0.1', () => {
  const url = 'http://127.0.0.1:' + relay.address().port;
  const env = { ...process.env, HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url };
  const child = spawn(file, args, { stdio: 'inherit', env });
  child.on('error', (error) => {
    process.stderr.write(error.message + '\\n');
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    process.exit(code ?? 1);
  });
});
`;

/**
 * The argv prefix that runs a command behind the in-sandbox relay to the egress proxy at
 * `socketPath` (a path the sandbox can see). Uses this process's own Node binary, which the
 * read-only root bind makes visible inside.
 */
export function relayPrefix(socketPath: string): string[] {
  return [process.execPath, '-e', RELAY_SOURCE, '--', socketPath];
}
