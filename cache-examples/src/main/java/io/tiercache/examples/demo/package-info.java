/** {@code --demo}: a scripted workload over HTTP against the running app, and its report. */
package io.tiercache.examples.demo;
