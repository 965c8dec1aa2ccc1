package io.gatewayworker.host;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rules of the architecture that must always hold. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.gatewayworker");
    }

    @Test
    void thePluginApiUsesNoNettyAndNoHostCode() {
        noClasses().that().resideInAPackage("io.gatewayworker.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.gatewayworker.host..",
                        "io.gatewayworker.proto..", "com.google.protobuf..")
                .check(classes);
    }

    @Test
    void theGatewayTalksToOtherRolesOnlyThroughTheInternalProtocol() {
        noClasses().that().resideInAPackage("io.gatewayworker.host.gateway..")
                .should().dependOnClassesThat().resideInAnyPackage("io.gatewayworker.host.worker..",
                        "io.gatewayworker.host.register..", "io.gatewayworker.host.app..")
                .check(classes);
    }

    @Test
    void theWorkerTalksToOtherRolesOnlyThroughTheInternalProtocol() {
        noClasses().that().resideInAPackage("io.gatewayworker.host.worker..")
                .should().dependOnClassesThat().resideInAnyPackage("io.gatewayworker.host.gateway..",
                        "io.gatewayworker.host.register..")
                .check(classes);
    }

    @Test
    void theRegisterKnowsNoOtherRole() {
        noClasses().that().resideInAPackage("io.gatewayworker.host.register..")
                .should().dependOnClassesThat().resideInAnyPackage("io.gatewayworker.host.gateway..",
                        "io.gatewayworker.host.worker..", "io.gatewayworker.host.app..")
                .check(classes);
    }

    @Test
    void sharedLayersDependOnNoRole() {
        noClasses().that().resideInAnyPackage("io.gatewayworker.host.link..", "io.gatewayworker.host.transport..",
                        "io.gatewayworker.host.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.gatewayworker.host.gateway..",
                        "io.gatewayworker.host.worker..", "io.gatewayworker.host.register..", "io.gatewayworker.host.app..")
                .check(classes);
    }

    @Test
    void theRolesKnowNothingOfTheOperatorsTools() {
        noClasses().that().resideInAnyPackage("io.gatewayworker.host.gateway..", "io.gatewayworker.host.worker..",
                        "io.gatewayworker.host.register..", "io.gatewayworker.host.app..", "io.gatewayworker.host.link..",
                        "io.gatewayworker.host.transport..", "io.gatewayworker.host.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.gatewayworker.host.control..",
                        "io.gatewayworker.host.cli..", "io.gatewayworker.host.shell..")
                .check(classes);
    }

    /** So that a view of the whole cluster can stand in for the local one. */
    @Test
    void theOperatorsCommandsSeeTheRolesOnlyThroughTheOperatorView() {
        noClasses().that().resideInAPackage("io.gatewayworker.host.control.command..")
                .should().dependOnClassesThat().resideInAnyPackage("io.gatewayworker.host.gateway..",
                        "io.gatewayworker.host.worker..", "io.gatewayworker.host.register..", "io.gatewayworker.host.app..",
                        "io.gatewayworker.host.link..", "io.gatewayworker.host.transport..", "io.netty..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.gatewayworker.host.Host")
                .check(classes);
    }

    @Test
    void theAppContainerDoesNotTouchTheNetwork() {
        noClasses().that().resideInAPackage("io.gatewayworker.host.app..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.gatewayworker.host.link..",
                        "io.gatewayworker.proto..")
                .check(classes);
    }
}
