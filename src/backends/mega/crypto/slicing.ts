/**
 * Why the crypto code feeds node:crypto in slices: every `cipher.update()` allocates a new output
 * Buffer, and outputs of 1 MiB (fresh mmap'd memory each time) made a single call per MAC chunk run
 * at about 350 MB/s here, against 950+ MB/s for 16 KiB slices (bench/mega-crypto.mjs prints
 * both). Each slice is still one native call over many blocks, unlike a per-block JS loop.
 */
export const CIPHER_SLICE_BYTES = 16 * 1024;
