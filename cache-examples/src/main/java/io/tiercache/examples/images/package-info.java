/** Seed 001's image proxy: bytes and content type cached for a day, refreshed when they expire. */
package io.tiercache.examples.images;
