// The `stratus` command: start (placeholder until the CLI lands).
import { startServer } from "../server.js";
const s = await startServer({ port: Number(process.env.STRATUS_PORT ?? 4566), ephemeral: true });
console.log(`Stratus listening on ${s.url}`);
