/**
 * {@code GET /cache/stats} (the stats snapshot as JSON), each instance's history of hit rate and
 * p99, {@code GET /cluster/stats} over every instance of the demo, and the self-refreshing page at
 * {@code /} that shows them; none of these routes is counted in the route table.
 */
package io.tiercache.examples.dashboard;
