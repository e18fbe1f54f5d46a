package io.realtime.cluster.redis;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterTopologyTest {

    @Test
    void slotsAreWrittenAsSortedRangesSoThatOneMovedSlotChangesThem() {
        assertThat(ClusterTopology.ranges(List.of(8, 1, 2, 3, 5, 7))).isEqualTo("1-3,5,7-8");
        assertThat(ClusterTopology.ranges(List.of(0))).isEqualTo("0");
        assertThat(ClusterTopology.ranges(List.of())).isEmpty();
    }
}
