/** @module s3rver in a process of its own (for benchmarks that measure the client's memory): prints its port, runs until killed. */
import S3rver from "s3rver";

const [dir, bucket] = process.argv.slice(2) as [string, string];
const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
const info = await server.run();
process.stdout.write(`${info.port}\n`);
