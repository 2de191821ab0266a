/** The {@code java -jar shmarray.jar} command line: the demo and diagnostics. */
package io.shmarray.cli;
