/**
 * Blob keys are made by the platform (`artifacts/<run>/<id>`, `files/<user>/<id>`); still, a key never
 * climbs out of its root, whatever the store.
 */
export function assertBlobKey(key: string): void {
  if (
    !/^[A-Za-z0-9_][A-Za-z0-9_./-]{0,300}$/.test(key) ||
    key.split('/').some((p) => p === '..' || p === '.')
  ) {
    throw new TypeError(`not a blob key: ${JSON.stringify(key)}`);
  }
}
