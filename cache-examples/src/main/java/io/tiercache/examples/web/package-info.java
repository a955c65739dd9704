/**
 * A small JSON layer over the JDK's {@code com.sun.net.httpserver}: a router with path
 * parameters and per-route filters, requests with a 64 KiB body limit, JSON errors and
 * per-route latency. No web framework: the example shows the cache, not a framework.
 */
package io.tiercache.examples.web;
