package io.hourglass.server.queue;

/** Lets backends in other packages run the package-private contract suite. */
public abstract class QueueBackendContractAccess extends QueueBackendContract {}
