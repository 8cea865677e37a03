using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;

namespace Genomics.Data.Tests.Species;

public class SpeciesSamplingTests
{
    static SpeciesDataset Dataset(SpeciesDatasetOptions options, params (string, IGenome)[] genomes) => new(
        genomes.Length > 0 ? genomes :
        [
            ("a", SmallGenomes.Random("a.fa", 1, ("chr1", 3000), ("chr2", 9000), ("chr5", 3000))),
            ("b", SmallGenomes.Random("b.fa", 2, ("chr1", 3000), ("chr2", 7000), ("chr4", 5000), ("chr5", 3000))),
            ("c", SmallGenomes.Random("c.fa", 3, ("chr1", 3000), ("chr2", 8000), ("chr5", 3000))),
        ], options);

    static readonly SpeciesDatasetOptions Base = new() { SequenceLength = 200, Seed = 42 };

    static (SpeciesSample Sample, int[] Tokens) Read(SpeciesDataset dataset, SpeciesSplit split, long epoch, long index, int length = 200)
    {
        var tokens = new int[length];
        return (dataset.Read(split, epoch, index, tokens), tokens);
    }

    [Fact]
    public void The_same_seed_epoch_and_index_give_the_same_sample_in_another_dataset_instance()
    {
        using var first = Dataset(Base);
        using var second = Dataset(Base);
        for (int i = 0; i < 200; i++)
        {
            var a = Read(first, SpeciesSplit.Train, 7, i);
            var b = Read(second, SpeciesSplit.Train, 7, i);
            Assert.Equal(a.Sample, b.Sample);
            Assert.Equal(a.Tokens, b.Tokens);
        }
    }

    [Fact]
    public void Another_epoch_or_seed_gives_other_train_samples()
    {
        using var dataset = Dataset(Base);
        using var reseeded = Dataset(Base with { Seed = 43 });
        int sameEpoch = 0, sameSeed = 0;
        for (int i = 0; i < 200; i++)
        {
            var sample = Read(dataset, SpeciesSplit.Train, 0, i).Sample;
            sameEpoch += sample == Read(dataset, SpeciesSplit.Train, 1, i).Sample ? 1 : 0;
            sameSeed += sample == Read(reseeded, SpeciesSplit.Train, 0, i).Sample ? 1 : 0;
        }
        Assert.Equal(0, sameEpoch);
        Assert.Equal(0, sameSeed);
    }

    [Fact]
    public void Samples_do_not_depend_on_the_order_or_thread_they_are_read_in()
    {
        using var dataset = Dataset(Base);
        var forward = Enumerable.Range(0, 300).Select(i => Read(dataset, SpeciesSplit.Train, 2, i).Sample).ToArray();
        var parallel = new SpeciesSample[300];
        Parallel.For(0, 300, i => parallel[299 - i] = Read(dataset, SpeciesSplit.Train, 2, 299 - i).Sample);
        Assert.Equal(forward, parallel);
    }

    [Fact]
    public void The_validation_set_is_fixed_across_epochs_and_calls_and_balanced_over_species()
    {
        using var dataset = Dataset(Base with { ValidSamples = 300 });
        var once = Enumerable.Range(0, 300).Select(i => Read(dataset, SpeciesSplit.Valid, 0, i)).ToArray();
        var again = Enumerable.Range(0, 300).Select(i => Read(dataset, SpeciesSplit.Valid, 9, i)).ToArray();
        Assert.Equal(once.Select(s => s.Sample), again.Select(s => s.Sample));
        Assert.All(once.Zip(again), p => Assert.Equal(p.First.Tokens, p.Second.Tokens));
        Assert.All(once.GroupBy(s => s.Sample.Label), g => Assert.Equal(100, g.Count()));
        Assert.True(once.Select(s => s.Sample.Start).Distinct().Count() > 250, "the fixed set is not one window repeated");
        Assert.Throws<ArgumentOutOfRangeException>(() => Read(dataset, SpeciesSplit.Valid, 0, 300));
    }

    [Fact]
    public void Train_species_are_drawn_uniformly()
    {
        using var dataset = Dataset(Base);
        var counts = new int[3];
        for (int i = 0; i < 6000; i++)
        {
            counts[Read(dataset, SpeciesSplit.Train, 0, i).Sample.Label]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 1800, 2200));
    }

    [Fact]
    public void Mostly_N_windows_are_redrawn_within_the_same_species()
    {
        // A fifth of chr2 (species a's only train chromosome) is N: without the limit a fifth of its windows
        // are mostly N; with it, all 8 draws failing has odds 0.2^8, so no sample should keep a mostly-N window.
        string chr2 = new string('A', 4000) + new string('N', 2000) + new string('c', 4000);
        (string, IGenome)[] genomes =
        [
            ("a", InMemoryGenome.FromStrings("a.fa", ("chr1", new string('G', 1000)), ("chr2", chr2), ("chr5", new string('T', 1000)))),
            ("b", SmallGenomes.Random("b.fa", 2, ("chr1", 1000), ("chr2", 3000), ("chr5", 1000))),
        ];
        using var strict = Dataset(Base with { MaxNFraction = 0.25 }, genomes);
        using var lax = Dataset(Base with { MaxNFraction = 1 }, genomes);
        int laxMostlyN = 0;
        for (int i = 0; i < 2000; i++)
        {
            var (sample, tokens) = Read(strict, SpeciesSplit.Train, 0, i);
            Assert.Equal(tokens.Count(t => t == DnaTokenizer.N), sample.NCount);
            Assert.True(sample.NCount <= 50, $"sample {i} has {sample.NCount} N");
            Assert.Equal(Read(lax, SpeciesSplit.Train, 0, i).Sample.Label, sample.Label);
            laxMostlyN += Read(lax, SpeciesSplit.Train, 0, i).Sample.NCount > 50 ? 1 : 0;
        }
        Assert.True(laxMostlyN > 100, $"only {laxMostlyN} mostly-N windows without the limit");
    }

    [Fact]
    public void When_every_draw_is_mostly_N_the_draw_with_fewest_N_is_kept()
    {
        // Every chromosome is N but for a short stretch of chr2: 8 draws rarely find it, yet a sample comes back.
        string chr2 = new string('N', 4000) + "ACGTACGTAC" + new string('N', 4000);
        (string, IGenome)[] genomes =
        [
            ("a", InMemoryGenome.FromStrings("a.fa", ("chr1", new string('N', 500)), ("chr2", chr2), ("chr5", new string('N', 500)))),
        ];
        using var dataset = Dataset(Base with { MaxDraws = 8 }, genomes);
        for (int i = 0; i < 200; i++)
        {
            var (sample, tokens) = Read(dataset, SpeciesSplit.Train, 0, i);
            Assert.Equal(tokens.Count(t => t == DnaTokenizer.N), sample.NCount);
            var bases = new byte[200];
            dataset.GenomeOf(0).FetchRecord(sample.Record, sample.Start, bases);
            Assert.Equal(SmallGenomes.Ids(bases), tokens);
        }
    }

    [Fact]
    public void Reverse_complement_augmentation_flips_about_half_of_the_train_samples_only()
    {
        using var dataset = Dataset(Base with { ReverseComplementTrain = true, ValidSamples = 100 });
        int reversed = 0;
        for (int i = 0; i < 1000; i++)
        {
            var (sample, tokens) = Read(dataset, SpeciesSplit.Train, 0, i);
            string window = SmallGenomes.Text(dataset.GenomeOf(sample.Label), sample.Record, sample.Start, 200).ToUpperInvariant();
            string expected = sample.ReverseComplement
                ? new string(window.Reverse().Select(c => c switch { 'A' => 'T', 'C' => 'G', 'G' => 'C', 'T' => 'A', _ => c }).ToArray())
                : window;
            Assert.Equal(expected, DnaTokenizer.Decode(tokens));
            Assert.Equal(sample.ReverseComplement ? "-" : "+", sample.Strand);
            reversed += sample.ReverseComplement ? 1 : 0;
        }
        Assert.InRange(reversed, 430, 570);
        Assert.All(Enumerable.Range(0, 100), i => Assert.False(Read(dataset, SpeciesSplit.Valid, 0, i).Sample.ReverseComplement));
    }

    [Fact]
    public void Soft_masked_bases_are_bases_by_default_and_unknown_under_the_compatibility_policy()
    {
        (string, IGenome)[] Genomes() =>
        [
            ("a", InMemoryGenome.FromStrings("a.fa", ("chr1", "ACGT"), ("chr2", "acgtACGT"), ("chr5", "ACGT"))),
        ];
        var options = Base with { SequenceLength = 4, MaxNFraction = 1 };
        using var upper = Dataset(options, Genomes());
        using var unknown = Dataset(options with { Lowercase = LowercasePolicy.Unknown }, Genomes());
        for (int i = 0; i < 50; i++)
        {
            var (sample, tokens) = Read(upper, SpeciesSplit.Train, 0, i, 4);
            string window = SmallGenomes.Text(upper.GenomeOf(0), sample.Record, sample.Start, 4);
            Assert.Equal(window.ToUpperInvariant(), DnaTokenizer.Decode(tokens));
            var (same, compat) = Read(unknown, SpeciesSplit.Train, 0, i, 4);
            Assert.Equal(sample, same);
            Assert.Equal(window.Select((c, k) => char.IsLower(c) ? DnaTokenizer.Unk : tokens[k]), compat);
        }
    }

    [Fact]
    public void Shorter_warmup_lengths_are_served_by_the_same_dataset()
    {
        using var dataset = Dataset(Base with { SequenceLength = 2048 });
        foreach (int length in new[] { 64, 256, 1024, 2048 })
        {
            var (sample, tokens) = Read(dataset, SpeciesSplit.Train, 0, 5, length);
            Assert.Equal(length, sample.Length);
            var bases = new byte[length];
            dataset.GenomeOf(sample.Label).FetchRecord(sample.Record, sample.Start, bases);
            Assert.Equal(SmallGenomes.Ids(bases), tokens);
        }
    }

    [Fact]
    public void An_empty_token_buffer_is_refused()
    {
        using var dataset = Dataset(Base);
        Assert.Equal("tokens", Assert.Throws<ArgumentException>(() => dataset.Read(SpeciesSplit.Train, 0, 0, Span<int>.Empty)).ParamName);
    }

    [Theory]
    [InlineData("SequenceLength")]
    [InlineData("ValidFraction")]
    [InlineData("TestFraction")]
    [InlineData("MaxNFraction")]
    [InlineData("MaxDraws")]
    [InlineData("SplitMode")]
    [InlineData("TestChromosomes")]
    public void Invalid_options_are_rejected_naming_the_field(string field)
    {
        var bad = field switch
        {
            "SequenceLength" => Base with { SequenceLength = 0 },
            "ValidFraction" => Base with { ValidFraction = -0.1 },
            "TestFraction" => Base with { ValidFraction = 0.6, TestFraction = 0.4 },
            "MaxNFraction" => Base with { MaxNFraction = 1.5 },
            "MaxDraws" => Base with { MaxDraws = 0 },
            "SplitMode" => Base with { ConcatenateRecords = true },
            _ => Base with { ValidChromosomes = ["chr1"], TestChromosomes = ["1"] },
        };
        var ex = Assert.Throws<ArgumentException>(bad.Validate);
        Assert.Equal(field, ex.ParamName);
        Assert.Equal(field, Assert.Throws<ArgumentException>(() => Dataset(bad)).ParamName);
    }

    [Fact]
    public void Species_names_and_labels_round_trip()
    {
        using var dataset = Dataset(Base);
        Assert.Equal(["a", "b", "c"], dataset.SpeciesNames);
        Assert.All(dataset.SpeciesNames, name => Assert.Equal(name, dataset.SpeciesNames[dataset.LabelOf(name)]));
    }
}
