// The S3-compatible test server (s3rver, an npm package: nothing is downloaded at test time) as its own
// process, started by s3-server.ts. Its own process because s3rver encrypts ListObjectsV2 continuation
// tokens with DES, which Node 17+ (OpenSSL 3) offers only with --openssl-legacy-provider: a flag for a
// process, not for a test worker. Prints {"port":…} once it listens; stops on SIGTERM or when stdin closes.
import S3rver from "s3rver";

const [directory, ...buckets] = process.argv.slice(2);
if (!directory) throw new Error("usage: s3rver-child.ts <directory> [bucket…]");
const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => void server.close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
