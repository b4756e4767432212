// The environment the proxy process starts with. glibc's malloc gives each thread that allocates its own
// arena (up to 8 per core) and keeps freed memory in them: with libvips' worker threads decoding large
// images, a proxy's RSS climbs and stays high (sharp lowers its own threads to 1 on glibc for this reason,
// and its docs recommend jemalloc). Two settings, read by glibc only when a process starts, bound it:
// - MALLOC_ARENA_MAX=2: all threads share two arenas;
// - MALLOC_MMAP_THRESHOLD_=131072: blocks of 128 KiB and more (pixel buffers) are mapped on their own and
//   go back to the system when freed, instead of glibc raising the threshold after the first large free.
// Measured by bench/hostile.ts (8 social jobs on 8192x8192 PNGs + 24 uploads of 24 MiB on 2 cores): peak RSS
// 791 MiB -> 444 MiB, and 5 s later 666 MiB -> 172 MiB (idle 137 MiB). Other allocators (jemalloc through
// LD_PRELOAD, musl) ignore them; values the operator set are kept.
export const MALLOC_ENV = { MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072" } as const;

/** `env` with the allocator settings added where unset. */
export function proxyProcessEnv<E extends Readonly<Record<string, string | undefined>>>(env: E): E & typeof MALLOC_ENV {
  return { ...MALLOC_ENV, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) } as E & typeof MALLOC_ENV;
}

/** Whether this process already started with them (glibc reads them before any JavaScript runs). */
export function startedWithMallocEnv(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return Object.keys(MALLOC_ENV).every((name) => env[name] !== undefined);
}
