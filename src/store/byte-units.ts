/**
 * Sizes in binary units, labelled as such (KiB = 1024 bytes, MiB = 1024² bytes): a 3,610,798-byte
 * file is 3.44 MiB, which "MB" would misstate (3.61 MB).
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** A size with its exact byte count beside it: "3.44 MiB (3,610,798 bytes)". */
export function formatBytesExact(bytes: number): string {
  return bytes < 1024 ? formatBytes(bytes) : `${formatBytes(bytes)} (${bytes.toLocaleString('en-US')} bytes)`;
}
