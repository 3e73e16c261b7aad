/** The ETag of a stored object as the admin API sets it (`"v<version>"`), for If-Match on the next write. */
export const etagOfVersion = (version: number): string => `"v${version}"`;
