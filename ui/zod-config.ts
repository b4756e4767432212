// Before any schema is built (main.tsx imports this first; zod reads the setting as each object schema is
// made): no JIT. zod compiles a parser per object schema with `new Function` on its first parse, which pays
// off over many parses of one shape; the panel parses each answer once or a few times, and a plugin iframe's
// CSP may refuse eval anyway.
import * as z from "zod/mini";

z.config({ jitless: true });
