/** The token use case (seed 002): login, a bearer-token filter, logout and logout everywhere. */
package io.tiercache.examples.token;
