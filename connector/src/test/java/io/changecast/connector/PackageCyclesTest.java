package io.changecast.connector;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Every package of this module's main code is a slice; no two slices depend on each other. */
class PackageCyclesTest {

  @Test
  void packagesAreFreeOfCycles() {
    slices()
        .matching("io.changecast.(**)")
        .should()
        .beFreeOfCycles()
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.changecast.connector"));
  }
}
