using System.Collections;
using System.Text;
using Genomics.Data;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// Released PyTorch weights into genomamba models, read with TorchSharp.PyBridge (which unpickles torch.save's zip
/// format; files from PyTorch before 1.6's legacy format are refused with a hint): mamba_ssm's pytorch_model.bin, a
/// hyena-dna or any state-dict pickle, and PyTorch Lightning .ckpt files, whose "state_dict" is taken and normalised by
/// <see cref="UpstreamStateDict.Normalise"/> ("model." prefix, gradient-checkpointing ".layer"); the Python objects beside
/// the tensors (OmegaConf hyper-parameters, loop state) are read as inert placeholders (<see cref="PickleClasses"/>). The config comes from,
/// in order: the argument, a config.json beside the file (mamba_ssm's or hyena-dna's layout), or the tensor shapes.
/// </summary>
public static class PretrainedImport
{
    /// <summary>
    /// The model state dict stored in a torch.save file, with bare-model key names. <paramref name="ignored"/>, when
    /// given, receives the keys of a Lightning checkpoint's other modules that were left out.
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path, List<string>? ignored = null)
    {
        CheckNotOurs(path);
        Hashtable root;
        try
        {
            PickleClasses.PrepareFor(path);
            using var stream = File.OpenRead(path);
            root = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (NotImplementedException e) when (e.Message.Contains("old PyTorch format", StringComparison.Ordinal))
        {
            throw new DataFormatException(path, "was saved in PyTorch's legacy (pre-1.6) format, which TorchSharp.PyBridge cannot read",
                "re-save it in Python: torch.save(torch.load(path), new_path)", e);
        }
        catch (Exception e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"could not be unpickled as a torch.save file: {e.Message}",
                "if it holds more than a state dict, save the state dict alone in Python: " +
                "torch.save(torch.load(path)['state_dict'], 'state_dict.bin') (or model.state_dict())", e);
        }

        var keep = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        try
        {
            var dict = root["state_dict"] is IDictionary lightning ? lightning : root;
            var state = new Dictionary<string, Tensor>();
            foreach (DictionaryEntry e in dict)
            {
                if (e.Key is string key && e.Value is Tensor t)
                {
                    state[key] = t;
                }
            }
            if (state.Count == 0)
            {
                throw new DataFormatException(path, "holds no tensors under string keys: not a state dict or a Lightning checkpoint",
                    "save model.state_dict() with torch.save");
            }
            var normalised = UpstreamStateDict.Normalise(state, ignored ?? []);
            foreach (var t in normalised.Values)
            {
                keep.Add(t);
            }
            return normalised;
        }
        finally
        {
            DisposeOthers(root, keep);   // optimizer moments and the like, unpickled along with the weights
        }
    }

    /// <summary>A new <see cref="MambaLM"/> or <see cref="HyenaLM"/> with the file's weights (see the class summary for where the config comes from).</summary>
    public static nn.Module<Tensor, Tensor> Load(string path, string? configPath = null)
    {
        var state = ReadStateDict(path);
        try
        {
            var kind = UpstreamStateDict.KindOf(state) ?? throw new DataFormatException(path,
                $"holds neither {UpstreamStateDict.MambaEmbedding} nor {UpstreamStateDict.HyenaEmbedding} (first keys: {string.Join(", ", state.Keys.Take(3))})",
                "this is not a Mamba or HyenaDNA language model's state dict");
            configPath ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, WeightsExport.ConfigFile);
            var json = File.Exists(configPath) ? WeightsExport.ReadConfigJson(configPath) : null;
            if (kind == ModelKind.Mamba)
            {
                var config = WeightsExport.Configure(configPath, json, () => MambaSsmConfig.FromJson(json!), () => UpstreamStateDict.InferMamba(state));
                return WeightsExport.Load(path, new MambaLM(config), m => m.LoadStateDict(state));
            }
            var hyena = WeightsExport.Configure(configPath, json, () => HyenaDnaConfig.FromJson(json!), () => UpstreamStateDict.InferHyena(state));
            return WeightsExport.Load(path, new HyenaLM(hyena), h => h.LoadStateDict(state));
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>A Mamba LM of <paramref name="config"/> with the file's weights.</summary>
    public static MambaLM LoadMamba(string path, MambaConfig config)
    {
        var state = ReadStateDict(path);
        try
        {
            return WeightsExport.Load(path, new MambaLM(config), m => m.LoadStateDict(state));
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>A HyenaDNA LM of <paramref name="config"/> with the file's weights.</summary>
    public static HyenaLM LoadHyena(string path, HyenaConfig config)
    {
        var state = ReadStateDict(path);
        try
        {
            return WeightsExport.Load(path, new HyenaLM(config), h => h.LoadStateDict(state));
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    static void CheckNotOurs(string path)
    {
        Span<byte> head = stackalloc byte[9];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        if (n >= 6 && Encoding.ASCII.GetString(head[..6]) == CheckpointFile.Magic)
        {
            throw new DataFormatException(path, "is a genomamba checkpoint, not a PyTorch file", "load it with Checkpoint.Load");
        }
        if (n >= 9 && head[8] == '{')
        {
            throw new DataFormatException(path, "looks like a safetensors file, not a torch.save file", "import its directory with WeightsExport.Import");
        }
    }

    static void DisposeOthers(object? node, HashSet<Tensor> keep)
    {
        switch (node)
        {
            case Tensor t:
                if (!keep.Contains(t))
                {
                    t.Dispose();
                }
                break;
            case IDictionary d:
                foreach (DictionaryEntry e in d)
                {
                    DisposeOthers(e.Value, keep);
                }
                break;
            case IEnumerable list and not string:
                foreach (var item in list)
                {
                    DisposeOthers(item, keep);
                }
                break;
        }
    }
}
