using System.Collections;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Razorvine.Pickle;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// Makes TorchSharp.PyBridge's unpickler (Razorvine.Pickle) tolerate the Python objects a Lightning checkpoint carries
/// beside its tensors — OmegaConf configs in hyper_parameters, collections.defaultdict and enums in loop and callback
/// state. Razorvine can only build an unknown class that takes no constructor arguments; these take some, so it throws
/// and the weights are lost with the rest. Before unpickling, the class references in data.pkl (GLOBAL and STACK_GLOBAL
/// opcodes) are listed and each one Razorvine and PyBridge do not handle themselves gets a constructor that accepts
/// any arguments and any state, yielding an inert <see cref="PlaceholderObject"/>: only the tensors are read anyway.
/// </summary>
internal static partial class PickleClasses
{
    // Handled by Razorvine itself or by PyBridge (torch storages must stay Razorvine's ClassDictConstructor, which
    // PyBridge casts to; torch._utils rebuilds tensors).
    static readonly string[] Reserved =
    [
        "__builtin__.", "builtins.", "array.", "datetime.", "pytz.", "dateutil.", "decimal.", "copy_reg.", "copyreg.",
        "operator.", "_codecs.", "torch._utils.", "collections.OrderedDict",
    ];

    static readonly Lock Gate = new();
    static readonly HashSet<string> Registered = [];

    /// <summary>An object of a class genomamba does not read: its constructor arguments and state, kept for inspection.</summary>
    public sealed class PlaceholderObject(string type, object[] args) : Hashtable
    {
        public string Type { get; } = type;

        public object[] Args { get; } = args;

        public object? State { get; private set; }

        // Razorvine looks this up by reflection for the BUILD opcode.
#pragma warning disable IDE1006
        public void __setstate__(object state) => State = state;
#pragma warning restore IDE1006
    }

    sealed class Lenient(string type) : IObjectConstructor
    {
        public object construct(object[] args) => new PlaceholderObject(type, args);
    }

    /// <summary>Registers lenient constructors for the classes <paramref name="path"/>'s pickle refers to (a no-op for a file that is not a torch zip).</summary>
    public static void PrepareFor(string path)
    {
        byte[] pickle;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entry = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal));
            if (entry is null)
            {
                return;
            }
            using var s = entry.Open();
            using var buffer = new MemoryStream();
            s.CopyTo(buffer);
            pickle = buffer.ToArray();
        }
        catch (InvalidDataException)
        {
            return;   // not a zip: PyBridge reports the legacy format
        }
        lock (Gate)
        {
            foreach (var (module, name) in Classes(pickle))
            {
                string full = $"{module}.{name}";
                bool reserved = Reserved.Any(r => r.EndsWith('.') ? full.StartsWith(r, StringComparison.Ordinal) : full == r)
                                || (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal));
                if (!reserved && Registered.Add(full))
                {
                    Unpickler.registerConstructor(module, name, new Lenient(full));
                }
            }
        }
    }

    /// <summary>(module, name) of every GLOBAL ("c module\nname\n", protocol ≤ 3) and STACK_GLOBAL (two short strings then 0x93, protocol 4+) found.</summary>
    internal static IEnumerable<(string Module, string Name)> Classes(byte[] pickle)
    {
        string text = Encoding.Latin1.GetString(pickle);
        foreach (Match m in Global().Matches(text))
        {
            yield return (m.Groups["module"].Value, m.Groups["name"].Value);
        }
        foreach (Match m in StackGlobal().Matches(text))
        {
            string module = m.Groups["module"].Value, name = m.Groups["name"].Value;
            if (m.Groups["ml"].Value[0] == module.Length && m.Groups["nl"].Value[0] == name.Length)
            {
                yield return (module, name);
            }
        }
    }

    [GeneratedRegex(@"c(?<module>[A-Za-z_][A-Za-z0-9_.]*)\n(?<name>[A-Za-z_][A-Za-z0-9_.]*)\n", RegexOptions.CultureInvariant)]
    private static partial Regex Global();

    [GeneratedRegex(@"\x8c(?<ml>[\x01-\xff])(?<module>[A-Za-z_][A-Za-z0-9_.]*)\x94?\x8c(?<nl>[\x01-\xff])(?<name>[A-Za-z_][A-Za-z0-9_.]*)\x94?\x93", RegexOptions.CultureInvariant)]
    private static partial Regex StackGlobal();
}
