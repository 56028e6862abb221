/**
 * zod for the config schemas, with its JIT off. zod 4 compiles a parser for each object schema
 * with `new Function` on first use, which pays off over many parses of one schema; the app parses
 * each environment once, and that compiling was ~35 ms of every synthesis (and of every test file
 * that loads the registry). Every schema module imports `z` from here, so the setting comes first.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
