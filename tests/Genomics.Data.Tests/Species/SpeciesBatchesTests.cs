using Genomics.Data.Datasets;
using Genomics.Data.Schedules;
using Genomics.Data.Tokenization;

namespace Genomics.Data.Tests.Species;

/// <summary>Species fine-tuning batches through the PrefetchLoader, on the embedded ape data (blocks 1–600).</summary>
public class SpeciesBatchesTests
{
    const int B = 8;

    static SpeciesDataset Apes(int length = 1 << 10, bool reverseComplement = false, long trainSamples = 64, long validSamples = 20) =>
        SpeciesDataset.OpenDirectory(ApeData.EmbeddedDirectory, new SpeciesDatasetOptions
        {
            ConcatenateRecords = true,
            ConcatenatedName = "chr22",
            SplitMode = SpeciesSplitMode.HeldOutRegions,
            SequenceLength = length,
            TrainSamplesPerEpoch = trainSamples,
            ValidSamples = validSamples,
            TestSamples = validSamples,
            ReverseComplementTrain = reverseComplement,
            Seed = 17,
        });

    sealed record Copy(int Index, int Size, int[] Inputs, int[] Targets, int[] Labels, SampleRef[] Samples);

    // The loader lends each batch only until the next one, so keep copies.
    static List<Copy> Collect(IBatchSource source, int epoch, int workers) =>
        new PrefetchLoader(source, new PrefetchLoaderOptions { Workers = workers, Prefetch = workers + 1 }).Epoch(epoch)
            .Select(b => new Copy(b.Index, b.Size, b.FilledInputs.ToArray(), b.FilledTargets.ToArray(), b.Labels[..b.Size], b.Samples[..b.Size]))
            .ToList();

    // What row r should hold, recomputed without the dataset: the species file read by GenomeFile and joined
    // here, the window at the row's coordinates, DnaTokenizer ids, reverse-complemented when the row says so.
    static int[] Expected(SpeciesDataset dataset, int label, SampleRef window)
    {
        byte[] joined = ApeData.JoinedBases(ApeData.EmbeddedFile(dataset.SpeciesNames[label]));
        var ids = new int[window.Length];
        new DnaTokenizer(dataset.Options.Lowercase).Encode(joined.AsSpan(checked((int)window.Start), window.Length), ids);
        if (window.ReverseComplement)
        {
            Array.Reverse(ids);
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = ids[i] switch { DnaTokenizer.A => DnaTokenizer.T, DnaTokenizer.C => DnaTokenizer.G, DnaTokenizer.G => DnaTokenizer.C, DnaTokenizer.T => DnaTokenizer.A, var n => n };
            }
        }
        return ids;
    }

    [Theory]
    [InlineData(SpeciesSplit.Train)]
    [InlineData(SpeciesSplit.Valid)]
    public void Batches_from_one_and_two_workers_are_identical(SpeciesSplit split)
    {
        using var dataset = Apes(reverseComplement: true);
        var source = new SpeciesBatches(dataset, split, B);
        var one = Collect(source, epoch: 3, workers: 1);
        var two = Collect(source, epoch: 3, workers: 2);
        Assert.Equal(source.BatchCount(3), one.Count);
        Assert.Equal(one.Count, two.Count);
        for (int k = 0; k < one.Count; k++)
        {
            Assert.Equal((k, one[k].Size), (two[k].Index, two[k].Size));
            Assert.Equal(one[k].Labels, two[k].Labels);
            Assert.Equal(one[k].Samples, two[k].Samples);
            Assert.True(one[k].Inputs.AsSpan().SequenceEqual(two[k].Inputs), $"batch {k}: inputs differ");
            Assert.True(one[k].Targets.AsSpan().SequenceEqual(two[k].Targets), $"batch {k}: targets differ");
        }
    }

    [Theory]
    [InlineData(SpeciesSplit.Train)]
    [InlineData(SpeciesSplit.Valid)]
    [InlineData(SpeciesSplit.Test)]
    public void Each_row_holds_the_genome_bases_at_its_coordinates_and_the_label_of_their_species(SpeciesSplit split)
    {
        using var dataset = Apes(reverseComplement: true);
        var source = new SpeciesBatches(dataset, split, B);
        var tokens = new int[source.Length];
        int reversed = 0;
        foreach (var batch in Collect(source, epoch: 2, workers: 2))
        {
            for (int r = 0; r < batch.Size; r++)
            {
                var window = batch.Samples[r];
                int label = batch.Labels[r];
                Assert.Equal(("chr22", 0, source.Length), (window.Chrom, window.Interval, window.Length));
                Assert.Equal(Expected(dataset, label, window), batch.Inputs.AsSpan(r * source.Length, source.Length).ToArray());
                // The label is the sample's species: the one the dataset draws for this (split, epoch, index).
                var sample = dataset.Read(split, 2, (long)batch.Index * B + r, tokens);
                Assert.Equal((sample.Label, sample.Start, sample.ReverseComplement), (label, window.Start, window.ReverseComplement));
                Assert.Contains(dataset.Regions(split, label), g => g.Start <= window.Start && window.End <= g.End);
                reversed += window.ReverseComplement ? 1 : 0;
            }
        }
        // Reverse complement is train-only augmentation (about half of 64 rows).
        Assert.InRange(reversed, split == SpeciesSplit.Train ? 16 : 0, split == SpeciesSplit.Train ? 48 : 0);
    }

    [Fact]
    public void Train_batches_drop_a_partial_batch_and_change_with_the_epoch_while_held_out_sets_keep_theirs_and_stay_fixed()
    {
        using var dataset = Apes(trainSamples: 70, validSamples: 20);
        var train = new SpeciesBatches(dataset, SpeciesSplit.Train, B);
        var valid = new SpeciesBatches(dataset, SpeciesSplit.Valid, B);
        Assert.Equal(8, train.BatchCount(0));
        Assert.Equal(3, valid.BatchCount(0));

        var epoch0 = Collect(train, 0, 2);
        var epoch1 = Collect(train, 1, 2);
        Assert.All(epoch0, b => Assert.Equal(B, b.Size));
        Assert.NotEqual(epoch0.SelectMany(b => b.Samples), epoch1.SelectMany(b => b.Samples));

        var once = Collect(valid, 0, 2);
        var again = Collect(valid, 5, 1);
        Assert.Equal([B, B, 4], once.Select(b => b.Size));
        Assert.Equal(once.SelectMany(b => b.Samples), again.SelectMany(b => b.Samples));
        // The fixed sets go round-robin over species, so 20 rows hold each of the 4 species 5 times.
        Assert.All(once.SelectMany(b => b.Labels).GroupBy(l => l), g => Assert.Equal(5, g.Count()));
    }

    [Fact]
    public void Targets_carry_no_next_token_only_the_ignore_index()
    {
        using var dataset = Apes();
        var batch = Collect(new SpeciesBatches(dataset, SpeciesSplit.Train, B), 0, 1)[0];
        Assert.All(batch.Targets, t => Assert.Equal(SpeciesBatches.NoTarget, t));
    }

    [Fact]
    public void Warmup_stages_below_the_target_read_windows_of_their_own_length()
    {
        var plan = new SpeciesWarmup { TargetLength = 1 << 15, TotalEpochs = 3, Batch = 4 }.ToPlan();
        Assert.Equal([1 << 14, 1 << 15], plan.Stages.Select(s => s.Length));
        using var dataset = Apes(length: plan.Target.Length, trainSamples: 8);
        for (int epoch = 0; epoch < plan.TotalEpochs; epoch++)
        {
            var stage = plan.AtEpoch(epoch).Stage;
            var source = new SpeciesBatches(dataset, SpeciesSplit.Train, stage.MicroBatch, stage.Length);
            Assert.Equal(stage.StepsPerEpoch(dataset.Options.TrainSamplesPerEpoch), source.BatchCount(epoch));
            foreach (var batch in Collect(source, epoch, 2))
            {
                Assert.Equal(stage.MicroBatch * stage.Length, batch.Inputs.Length);
                for (int r = 0; r < batch.Size; r++)
                {
                    Assert.Equal(stage.Length, batch.Samples[r].Length);
                    Assert.Equal(Expected(dataset, batch.Labels[r], batch.Samples[r]), batch.Inputs.AsSpan(r * stage.Length, stage.Length).ToArray());
                }
            }
        }
    }

    [Fact]
    public void A_length_above_the_target_or_an_epoch_shorter_than_a_batch_is_refused()
    {
        using var dataset = Apes(length: 1 << 10, trainSamples: 6);
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => new SpeciesBatches(dataset, SpeciesSplit.Valid, 4, 1 << 11));
        Assert.Equal("length", tooLong.ParamName);
        Assert.Contains("[1, 1,024]", tooLong.Message);
        var tooBig = Assert.Throws<ArgumentOutOfRangeException>(() => new SpeciesBatches(dataset, SpeciesSplit.Train, B));
        Assert.Equal("batchSize", tooBig.ParamName);
        Assert.Contains("TrainSamplesPerEpoch 6 is less than one batch of 8", tooBig.Message);
    }

    [Fact]
    public void A_destination_of_the_wrong_shape_is_refused_naming_both_shapes()
    {
        using var dataset = Apes();
        var source = new SpeciesBatches(dataset, SpeciesSplit.Train, B, 512);
        var ex = Assert.Throws<ArgumentException>(() => source.FillBatch(0, 0, new Batch(B, 1024)));
        Assert.Contains("destination is 8 × 1024, needs 8 × 512", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.FillBatch(0, source.BatchCount(0), new Batch(B, 512)));
    }
}
