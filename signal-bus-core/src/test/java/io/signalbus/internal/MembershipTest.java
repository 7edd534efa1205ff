package io.signalbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Rendezvous hashing of partitions over members: even, and a join or leave moves only its share. */
class MembershipTest {

    private static List<String> owners(int partitions, List<String> members) {
        var owners = new ArrayList<String>();
        for (int p = 0; p < partitions; p++) {
            owners.add(Membership.ownerOf(p, members));
        }
        return owners;
    }

    private static List<String> members(SplittableRandom random, int count) {
        var members = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            members.add("node-" + Long.toHexString(random.nextLong()));
        }
        return members;
    }

    @Test
    void aJoiningMemberTakesPartitionsOnlyFromOthersAndOthersKeepTheRest() {
        var random = new SplittableRandom(3);
        for (int round = 0; round < 200; round++) {
            List<String> before = members(random, 1 + random.nextInt(6));
            var after = new ArrayList<>(before);
            String joined = "node-joined-" + round;
            after.add(joined);

            List<String> ownersBefore = owners(64, before);
            List<String> ownersAfter = owners(64, after);
            for (int p = 0; p < 64; p++) {
                assertThat(ownersAfter.get(p)).as("partition %d", p).isIn(ownersBefore.get(p), joined);
            }
        }
    }

    @Test
    void aLeavingMembersPartitionsAloneMove() {
        var random = new SplittableRandom(4);
        for (int round = 0; round < 200; round++) {
            List<String> before = members(random, 2 + random.nextInt(6));
            String left = before.get(random.nextInt(before.size()));
            var after = new ArrayList<>(before);
            after.remove(left);

            List<String> ownersBefore = owners(64, before);
            List<String> ownersAfter = owners(64, after);
            for (int p = 0; p < 64; p++) {
                if (!ownersBefore.get(p).equals(left)) {
                    assertThat(ownersAfter.get(p)).as("partition %d", p).isEqualTo(ownersBefore.get(p));
                }
            }
        }
    }

    @Test
    void partitionsSpreadEvenlyOverMembers() {
        List<String> members = members(new SplittableRandom(5), 4);
        List<String> owners = owners(4_096, members);
        for (String member : members) {
            assertThat(owners.stream().filter(member::equals).count()).isBetween(900L, 1_150L);
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
