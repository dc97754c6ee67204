package org.finetune4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SyntheticFeaturesTest {

    /** Values printed by src/test/python/torch_reference.py's uniform and synthetic_features: the two must agree. */
    @Test
    void matchesThePythonGeneratorBitForBit() {
        assertThat(SyntheticFeatures.uniform(12345, 0)).isEqualTo(0.1330796686614273);
        assertThat(SyntheticFeatures.uniform(12345, 1)).isEqualTo(0.20481663336165912);
        assertThat(SyntheticFeatures.uniform(12345, 40960)).isEqualTo(0.32302861683471285);
        assertThat(SyntheticFeatures.uniform(12345, 1L << 40)).isEqualTo(0.3864177143257622);

        SyntheticFeatures.Data d = SyntheticFeatures.generate(3, 5, 2, 7);
        assertThat(d.y()).containsExactly(0, 1, 0);
        assertThat(d.x().row(0)).containsExactly(0.0f, 1.5122065544128418f, 4.284400463104248f, 2.859940767288208f,
                2.357172966003418f);
        assertThat(d.x().row(2)).containsExactly(0.827792763710022f, 0.0f, 0.3105437457561493f, 0.0f,
                2.6241304874420166f);
    }
}
