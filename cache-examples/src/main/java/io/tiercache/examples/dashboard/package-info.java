/** {@code GET /cache/stats} (the stats snapshot as JSON) and the self-refreshing page at {@code /}. */
package io.tiercache.examples.dashboard;
