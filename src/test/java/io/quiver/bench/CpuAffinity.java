package io.quiver.bench;

import java.io.IOException;

/** Pins processes (all their threads) to a CPU with util-linux's taskset. */
final class CpuAffinity {
  private CpuAffinity() {}

  static void pin(int cpu, long... pids) throws IOException, InterruptedException {
    for (long pid : pids) {
      taskset(Integer.toString(cpu), pid);
    }
  }

  private static void taskset(String cpus, long pid) throws IOException, InterruptedException {
    Process taskset =
        new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (taskset.waitFor() != 0) {
      throw new IllegalStateException("taskset failed for process " + pid);
    }
  }
}
