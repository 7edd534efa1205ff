/**
 * The JDBC signal store (H2 and PostgreSQL) with its Flyway schema: {@link io.signalbus.jdbc.JdbcSignalStore}
 * on any {@code DataSource}, and {@link io.signalbus.jdbc.SignalBusSchema} to create its tables.
 */
@NullMarked
package io.signalbus.jdbc;

import org.jspecify.annotations.NullMarked;
