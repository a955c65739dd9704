/**
 * The projects use case (seed 000): the check-in platform's reads cached with the seed's keys,
 * TTLs and refresh schedule through the generated {@code CachedProjectService}; a check-in
 * invalidates {@code project:{id}:*}.
 */
package io.tiercache.examples.projects;
