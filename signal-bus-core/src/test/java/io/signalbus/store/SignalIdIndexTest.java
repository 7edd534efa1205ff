package io.signalbus.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignalIdIndexTest {

    private final SignalIdIndex index = new SignalIdIndex();

    @Test
    void findsIdsThatArriveInOrderAndOutOfOrder() {
        for (int i = 0; i < 5000; i++) {
            index.add(String.format("id-%05d", i * 2), i + 1);
        }
        index.add("id-00001", 5001);
        index.add("a-custom-id", 5002);

        assertThat(index.positionOf("id-00000")).isEqualTo(1L);
        assertThat(index.positionOf("id-09998")).isEqualTo(5000L);
        assertThat(index.positionOf("id-00001")).isEqualTo(5001L);
        assertThat(index.positionOf("a-custom-id")).isEqualTo(5002L);
        assertThat(index.positionOf("id-00003")).isNull();
        assertThat(index.positionOf("id-99999")).isNull();
    }

    @Test
    void forgetsTheOldestIdsWhenTheLogIsPruned() {
        index.add("b", 1);
        index.add("a", 2);
        index.add("c", 3);

        index.removeOldest("b", 1);
        index.removeOldest("a", 2);

        assertThat(index.positionOf("b")).isNull();
        assertThat(index.positionOf("a")).isNull();
        assertThat(index.positionOf("c")).isEqualTo(3L);
        index.add("d", 4);
        assertThat(index.positionOf("d")).isEqualTo(4L);
    }

    @Test
    void keepsWorkingWhenPruningAndGrowingInterleave() {
        long position = 0;
        long oldest = 1;
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 3000; i++) {
                position++;
                index.add(String.format("%08d", position), position);
            }
            for (; oldest <= position - 1000; oldest++) {
                index.removeOldest(String.format("%08d", oldest), oldest);
            }
        }
        assertThat(index.positionOf(String.format("%08d", position))).isEqualTo(position);
        assertThat(index.positionOf(String.format("%08d", position - 999))).isEqualTo(position - 999);
        assertThat(index.positionOf(String.format("%08d", position - 1000))).isNull();
        assertThat(index.positionOf(String.format("%08d", 1))).isNull();
    }
}
