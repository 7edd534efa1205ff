/**
 * The engine behind {@link io.signalbus.SignalBus}: publishing, routing and the persistent-subscription
 * workers. Not API: types here may change in any release.
 */
@NullMarked
package io.signalbus.internal;

import org.jspecify.annotations.NullMarked;
