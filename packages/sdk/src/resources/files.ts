import type { Transport } from '../transport.ts';
import { unwrap } from '../transport.ts';
import type { UploadedFile, UploadQuery } from '../types.ts';

export type UploadBody = Blob | Uint8Array | ArrayBuffer | string | ReadableStream<Uint8Array>;

export interface UploadOptions extends UploadQuery {
  /** Default: the Blob's own type, else application/octet-stream. */
  mediaType?: string;
}

/** Input files: upload one, then put its `id` in a run's input. */
export class Files {
  readonly #t: Transport;
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Uploads the bytes as they are (no multipart). With `agent` and `field`, the field's size and type
   * limits are applied while the bytes arrive, so a file too large is refused early.
   */
  async upload(body: UploadBody, options: UploadOptions): Promise<UploadedFile> {
    const { mediaType, ...query } = options;
    const type = mediaType ?? ((body instanceof Blob && body.type) || 'application/octet-stream');
    return unwrap(
      await this.#t.api.POST('/v1/files', {
        params: { query },
        // The schema says `string` for binary; the bytes go as they are, not as JSON.
        body: body as unknown as string,
        bodySerializer: (b) => b,
        headers: { 'content-type': type },
        // A stream body must say so to Node's fetch.
        duplex: 'half',
      }),
    );
  }
}
