/**
 * The stats use case (seed 003) over an in-process H2 database: the user cache, cached SQL
 * aggregations, and article view counts written back to the database in batches.
 */
package io.tiercache.examples.stats;
