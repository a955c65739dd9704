/**
 * The example app: {@link io.tiercache.examples.App} wires one {@code TierCache}, an H2 database,
 * the simulated check-in platform and the HTTP routes of every use case; {@link
 * io.tiercache.examples.Main} runs it ({@code --demo} drives a workload against it). Each use case
 * is a package with its own test and a paragraph in {@code cache-examples/README.md}.
 */
package io.tiercache.examples;
