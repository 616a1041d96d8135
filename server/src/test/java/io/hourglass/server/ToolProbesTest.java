package io.hourglass.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.ExternalCommand;
import io.hourglass.testing.ForeignClients;
import io.hourglass.testing.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Is X installed" probes cannot be satisfied by a file of the repository. The trap: from the
 * repository root, {@code import thrift} finds the project's own {@code thrift/} folder as an
 * empty namespace package, so a machine without python3-thrift looked fine until the tests ran.
 * Here the real module is put out of reach by an interpreter without site-packages ({@code -S}),
 * run from the repository root, and the probes must report it missing.
 */
class ToolProbesTest {
  @TempDir static Path tmp;
  private static Path pythonWithoutSitePackages;

  @BeforeAll
  static void interpreterThatCannotSeeDebiansThriftModule() throws IOException {
    pythonWithoutSitePackages = tmp.resolve("python-no-site");
    Files.writeString(pythonWithoutSitePackages,
        "#!/bin/sh\nexec " + ForeignClients.PYTHON + " -S \"$@\"\n");
    Files.setPosixFilePermissions(pythonWithoutSitePackages, PosixFilePermissions.fromString("rwxr-xr-x"));
    // The trap is real: from the repository root, a bare `import thrift` succeeds even so.
    ExternalCommand.Result bare = ExternalCommand.of(List.of(pythonWithoutSitePackages.toString(), "-c", "import thrift"))
        .directory(Repo.root()).run();
    assertEquals(0, bare.exitCode(), "precondition: the repository's thrift/ folder imports\n" + bare.describe());
  }

  @Test
  void ensureToolsReportsPythonThriftMissingWhenOnlyTheRepositorysThriftFolderIsImportable() {
    ExternalCommand.Result r = ensureToolsCheck(pythonWithoutSitePackages.toString());
    assertEquals(1, r.exitCode(), r.describe());
    assertTrue(r.stderr().contains("python3-thrift"), r.describe());
  }

  @Test
  void ensureToolsFindsTheRealModuleWithDebiansInterpreter() {
    ExternalCommand.Result r = ensureToolsCheck(ForeignClients.PYTHON);
    assertFalse(r.stderr().contains("python3-thrift"), r.describe());
  }

  @Test
  void adminScriptSaysTheModuleIsMissingInsteadOfImportingTheRepositorysFolder() {
    ExternalCommand.Result r = ExternalCommand.of(List.of(Repo.root().resolve("scripts/hourglass-admin").toString(),
            "--port", "1", "queues"))
        .directory(Repo.root())
        .env(Map.of("HOURGLASS_PYTHON", pythonWithoutSitePackages.toString(),
            "HOURGLASS_ADMIN_GEN_DIR", tmp.resolve("gen-py").toString()))
        .run();
    assertEquals(3, r.exitCode(), r.describe());
    assertTrue(r.stderr().contains("Python's thrift module is missing"), r.describe());
  }

  private static ExternalCommand.Result ensureToolsCheck(String python) {
    return ExternalCommand.of(List.of(Repo.root().resolve("scripts/ensure-tools").toString(), "--check"))
        .directory(Repo.root())
        .env(Map.of("HOURGLASS_PYTHON", python))
        .run();
  }
}
