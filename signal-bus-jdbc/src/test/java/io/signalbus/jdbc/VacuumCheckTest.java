package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warning names every setting that keeps autovacuum from the staging table, and says what to do. */
class VacuumCheckTest {

    @Test
    void noWarningWhenAutovacuumTrackCountsAndTheTableOptionAreAllOn() {
        assertThat(VacuumCheck.warning(true, true, true)).isNull();
    }

    @Test
    void serverAutovacuumOffIsNamedWithWhatToDo() {
        assertThat(VacuumCheck.warning(false, true, true))
                .contains("(the server's autovacuum is off)")
                .contains("VACUUM signal_bus_pending").contains("ANALYZE signal_bus_log")
                .doesNotContain("track_counts").doesNotContain("autovacuum_enabled");
    }

    @Test
    void trackCountsOffIsNamed() {
        assertThat(VacuumCheck.warning(true, false, true)).contains("(the server's track_counts is off");
    }

    @Test
    void theTableOptionOffIsNamed() {
        assertThat(VacuumCheck.warning(true, true, false))
                .contains("(signal_bus_pending has autovacuum_enabled = false)");
    }

    @Test
    void everySettingThatIsOffIsNamed() {
        assertThat(VacuumCheck.warning(false, false, false)).contains("autovacuum is off; ")
                .contains("track_counts is off").contains("autovacuum_enabled = false");
    }
}
