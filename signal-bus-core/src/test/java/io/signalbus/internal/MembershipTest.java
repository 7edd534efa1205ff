package io.signalbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Rendezvous hashing with bounded loads: equal shares, and a join or leave moves about its share. */
class MembershipTest {

    private static List<String> owners(int partitions, List<String> members) {
        return Arrays.asList(Membership.owners(partitions, members));
    }

    private static List<String> members(SplittableRandom random, int count) {
        var members = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            members.add("node-" + Long.toHexString(random.nextLong()));
        }
        return members;
    }

    private static long moved(List<String> before, List<String> after) {
        return IntStream.range(0, before.size()).filter(p -> !before.get(p).equals(after.get(p))).count();
    }

    private static int share(int partitions, int members) {
        return (partitions + members - 1) / members;
    }

    @Test
    void aJoiningMemberTakesItsShareAndAtMostOneShareMoreMoves() {
        var random = new SplittableRandom(3);
        for (int round = 0; round < 200; round++) {
            int partitions = 1 + random.nextInt(64);
            List<String> before = members(random, 1 + random.nextInt(6));
            var after = new ArrayList<>(before);
            String joined = "node-joined-" + round;
            after.add(joined);

            List<String> ownersAfter = owners(partitions, after);
            assertThat(ownersAfter.stream().filter(joined::equals).count()).as("round %d", round)
                    .isBetween((long) partitions / after.size(), (long) share(partitions, after.size()));
            assertThat(moved(owners(partitions, before), ownersAfter)).as("round %d", round)
                    .isLessThanOrEqualTo(2L * share(partitions, after.size()));
        }
    }

    @Test
    void aLeavingMembersPartitionsMoveAndAtMostTwoSharesMore() {
        var random = new SplittableRandom(4);
        for (int round = 0; round < 200; round++) {
            int partitions = 1 + random.nextInt(64);
            List<String> before = members(random, 2 + random.nextInt(6));
            String left = before.get(random.nextInt(before.size()));
            var after = new ArrayList<>(before);
            after.remove(left);

            List<String> ownersBefore = owners(partitions, before);
            long had = ownersBefore.stream().filter(left::equals).count();
            assertThat(moved(ownersBefore, owners(partitions, after))).as("round %d", round)
                    .isGreaterThanOrEqualTo(had).isLessThanOrEqualTo(had + 2L * share(partitions, after.size()));
        }
    }

    @Test
    void everyMemberServesAnEqualShareWithinOnePartition() {
        var random = new SplittableRandom(5);
        for (int round = 0; round < 200; round++) {
            int partitions = 1 + random.nextInt(256);
            List<String> members = members(random, 1 + random.nextInt(8));
            List<String> owners = owners(partitions, members);
            for (String member : members) {
                assertThat(owners.stream().filter(member::equals).count()).as("round %d", round)
                        .isBetween((long) partitions / members.size(), (long) share(partitions, members.size()));
            }
        }
    }

    @Test
    void sixteenPartitionsGoFourToEachOfFourMembers() {
        List<String> members = List.of("instance-1", "instance-2", "instance-3", "instance-4");
        List<String> owners = owners(16, members);
        for (String member : members) {
            assertThat(owners.stream().filter(member::equals).count()).isEqualTo(4);
        }
    }

    @Test
    void everyMemberAgreesOnTheOwnerWhateverTheOrderOfTheList() {
        List<String> members = members(new SplittableRandom(6), 5);
        List<String> reversed = new ArrayList<>(members);
        java.util.Collections.reverse(reversed);
        assertThat(owners(256, reversed)).isEqualTo(owners(256, members));
    }
}
