package io.changecast.testsupport;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The modules' package-cycle rule, defined once: every package of a module's main code is a slice,
 * and no two slices depend on each other. A module's test calls {@code
 * PackageCycles.assertFreeOfCycles("io.changecast.edge")}.
 */
public final class PackageCycles {

  private PackageCycles() {}

  /** Fails, listing every cycle, when the main classes under {@code rootPackage} form one. */
  public static void assertFreeOfCycles(String rootPackage) {
    slices()
        .matching("io.changecast.(**)")
        .should()
        .beFreeOfCycles()
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(rootPackage));
  }
}
