/** Public and private keys: wire blobs, signatures (verify on node:crypto), fingerprints, key files. */
export type { PrivateKey, PublicKey } from './types.js';
export { keyTypeForAlgorithm, ECDSA_CURVES, RSA_SIGNATURE_ALGORITHMS } from './key-types.js';
export { parsePublicKeyBlob } from './parse-key.js';
export { fingerprintSha256, parseOpenSSHPublicKey, publicKeyToOpenSSH } from './openssh-public.js';
export { generateHostKeySigner, type GeneratedKeyType } from './private-key.js';
export { isPrivateKeyEncrypted, parsePrivateKey } from './load-private.js';
export { encodeSignatureBlob, parseSignatureBlob, signatureBlobAlgorithm, type SignatureBlob } from './signature.js';
