/** The counter use case (seed 001): exact like counts and a per-user rate limit. */
package io.tiercache.examples.counter;
