/**
 * Not API; may change in any release. How values are stored in Redis: Jackson JSON with the
 * value's full generic type, in a small frame (version byte, flags byte, payload) that marks nulls,
 * raw bytes and compression.
 *
 * <p>Never Java serialization, never class names in the payload (no default typing), so a value
 * written by one version of a service can only be read back as the type the reader asks for.
 *
 * <p>Its types are public only because the other packages of cache-core use them; this package is
 * left out of the javadoc.
 */
package io.tiercache.internal.codec;
