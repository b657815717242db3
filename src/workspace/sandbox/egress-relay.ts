/**
 * The port the relay listens on inside the sandbox. The sandbox's network namespace is its own
 * and holds nothing else, so a fixed port is always free there, and the command's environment
 * can name it before the relay starts.
 */
const RELAY_PORT = 3128;

// The relay runs inside the sandbox, where the network namespace has only loopback: it listens
// on 127.0.0.1, forwards every connection to the proxy's bound Unix socket, and then runs the
// command, which inherits HTTP(S)_PROXY pointing at the relay. Starting the command only once
// the relay listens means no request can race it. Plain JavaScript: it runs under bare `node -e`.
const RELAY_SOURCE = `
const net = require('node:net');
const { spawn } = require('node:child_process');
const [socketPath, port, file, ...args] = process.argv.slice(1);
const relay = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
relay.listen(Number(port), '127.0.0.1', () => {
  const child = spawn(file, args, { stdio: 'inherit' });
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
  return [process.execPath, '-e', RELAY_SOURCE, '--', socketPath, String(RELAY_PORT)];
}

/** The variables that point a command's HTTP clients at the relay (set with {@link relayPrefix}). */
export function relayEnvironment(): Record<string, string> {
  const url = `http://127.0.0.1:${RELAY_PORT}`;
  return { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url };
}
