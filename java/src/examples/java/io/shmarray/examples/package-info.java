/**
 * The seed scenarios: the questions Python {@code multiprocessing} users keep asking, each answered
 * by a runnable program. Not part of the library's API; packed as {@code shmarray-examples.jar}.
 *
 * <p>Run any of them from the repository root after {@code mvn -B -q -DskipTests package}:
 * <pre>{@code
 * java -cp java/target/shmarray.jar:java/target/shmarray-examples.jar io.shmarray.examples.HelloProcess
 * }</pre>
 * Each prints what happened and exits 0 only when the outcome it demonstrates really occurred
 * ({@link Check}); {@code ExamplesTest} runs every one of them against the packaged jars.
 *
 * <ol>
 *   <li>{@link HelloProcess}: what gets serialized when a process starts;
 *   <li>{@link HelperInAnotherClass}: tasks calling code in other classes;
 *   <li>{@link LambdasAndLocalClasses}: lambdas and local classes from {@code main};
 *   <li>{@link HugeDatasetNoCopy}: one big dataset, four readers, nothing copied (PSS shown);
 *   <li>{@link InstanceMethodMap}: {@code pool.map(test::myFun, ...)} writing a shared field;
 *   <li>{@link QueuesBetweenProcesses}: queues as arguments and sent through queues;
 *   <li>{@link ClassStateIsNotInherited}: static state and spawned JVMs;
 *   <li>{@link ForkFromC}: a C program forks over a segment; Java attaches by name.
 * </ol>
 */
package io.shmarray.examples;
