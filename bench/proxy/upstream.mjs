// The tiny application behind every proxy in the benchmark: answers "ok" to anything. Prints its port.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  res.end('ok');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
