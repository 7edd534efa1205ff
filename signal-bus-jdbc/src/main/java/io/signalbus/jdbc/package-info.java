/** The JDBC signal store (H2 and PostgreSQL) with its Flyway schema. */
@NullMarked
package io.signalbus.jdbc;

import org.jspecify.annotations.NullMarked;
