using System.CommandLine;
using System.Globalization;
using System.Text;
using Genomics.Data;
using Genomics.Data.Tokenization;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Inference;

namespace Genomics.Cli.Commands;

/// <summary>
/// `genomamba generate`: continues a DNA prompt with a language model — Mamba in its recurrent step mode, O(1) per
/// base — and writes the continuations as FASTA (stdout, or a file written whole).
/// </summary>
public static class GenerateCommand
{
    const string Name = "generate";

    public static Command Build()
    {
        var checkpoint = ModelArguments.CheckpointOption();
        var prompt = new Option<string?>("--prompt", "-p") { Description = "the DNA to continue (A/C/G/T/N, any case); required — the model predicts each base from the ones before it" };
        var length = new Option<int>("--len", "-n") { Description = "bases to generate per sequence (after the prompt)", DefaultValueFactory = _ => 1000 };
        var samples = new Option<int>("--samples") { Description = "sequences to generate from the prompt (drawn together, one batch)", DefaultValueFactory = _ => 1 };
        var temperature = new Option<double>("--temperature", "-t") { Description = "softmax temperature: < 1 sharper, > 1 flatter, 0 greedy", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "draw among the k most likely bases only; 0 = no limit, 1 = greedy", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "seed of the draws: the same seed, checkpoint and prompt give the same output", DefaultValueFactory = _ => 0 };
        var allowN = new Option<bool>("--allow-n") { Description = "let N be drawn (default: off — only A, C, G, T; special tokens are never drawn)" };
        var withPrompt = new Option<bool>("--with-prompt") { Description = "write the prompt before each continuation (default: the continuation only)" };
        var output = new Option<string?>("--out", "-o") { Description = "FASTA file to write (default: standard output)" };
        var cmd = new Command(Name, "Sample DNA from a language model, continuing a prompt (temperature, top-k, seed)")
        {
            checkpoint, prompt, length, samples, temperature, topK, seed, allowN, withPrompt, output,
        };
        cmd.SetAction((parse, cancellationToken) => Task.FromResult(Run(parse, cancellationToken)));
        return cmd;

        int Run(ParseResult parse, CancellationToken cancellationToken)
        {
            var log = parse.InvocationConfiguration.Error;
            ModelArguments.CheckPath(parse.GetValue(checkpoint), Name);
            string? text = parse.GetValue(prompt);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new ArgumentException($"{Name} needs a prompt: give --prompt ACGT… (the bases to continue)");
            }
            text = text.Trim();
            int bad = text.AsSpan().IndexOfAnyExcept("ACGTNacgtn");
            if (bad >= 0)
            {
                throw new ArgumentException($"--prompt: character {bad + 1} '{text[bad]}' is not a base (A, C, G, T or N)");
            }
            int count = parse.GetValue(length), n = parse.GetValue(samples);
            if (count < 1 || n < 1)
            {
                throw new ArgumentException($"--len and --samples must be at least 1 (got {count} and {n})");
            }
            if (parse.GetValue(topK) < 0)
            {
                throw new ArgumentException($"--top-k must be 0 (no limit) or more (got {parse.GetValue(topK)})");
            }
            double t = parse.GetValue(temperature);
            if (!(t >= 0) || double.IsInfinity(t))
            {
                throw new ArgumentException($"--temperature must be a finite number ≥ 0 (got {t.ToString(CultureInfo.InvariantCulture)})");
            }
            string? outPath = parse.GetValue(output);
            if (outPath is not null)
            {
                ModelArguments.CheckOutputFile(outPath, "--out");
            }
            var options = new SamplingOptions { Temperature = t, TopK = parse.GetValue(topK), Seed = parse.GetValue(seed), AllowN = parse.GetValue(allowN) };
            var (model, spec) = ModelArguments.Load(parse.GetValue(checkpoint), Name);
            using (model)
            {
                if (spec.IsClassifier)
                {
                    throw new ArgumentException($"{parse.GetValue(checkpoint)}: holds a species classifier ({spec}); generation needs a language model checkpoint (from `genomamba pretrain`)");
                }
                log.WriteLine($"{parse.GetValue(checkpoint)}: {spec}");
                if (spec.Hyena is not null)
                {
                    log.WriteLine("HyenaDNA has no recurrent mode: each base re-runs the whole sequence (quadratic in length)");
                }
                var ids = DnaTokenizer.Default.Encode(text);
                var generated = new DnaGenerator(model).Generate(ids, count, new Sampler(options), n, null, cancellationToken);
                var fasta = new StringBuilder();
                for (int i = 0; i < n; i++)
                {
                    fasta.Append(CultureInfo.InvariantCulture,
                        $">sample-{i + 1} prompt={text.Length} generated={count} temperature={t} top_k={options.TopK} seed={options.Seed}{(parse.GetValue(withPrompt) ? " with_prompt" : "")}\n");
                    string bases = (parse.GetValue(withPrompt) ? text.ToUpperInvariant() : "") + DnaGenerator.Decode(generated[i]);
                    for (int at = 0; at < bases.Length; at += 80)
                    {
                        fasta.Append(bases.AsSpan(at, Math.Min(80, bases.Length - at))).Append('\n');
                    }
                }
                if (outPath is null)
                {
                    parse.InvocationConfiguration.Output.Write(fasta.ToString());
                }
                else
                {
                    AtomicFile.Write(outPath, s => s.Write(Encoding.ASCII.GetBytes(fasta.ToString())));
                    log.WriteLine($"wrote {outPath}: {n} sequence{(n == 1 ? "" : "s")} of {count:N0} bases");
                }
                return 0;
            }
        }
    }
}
