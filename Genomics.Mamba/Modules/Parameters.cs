using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Genomics.Mamba.Modules;

/// <summary>Making a module's own parameters safely, whatever dispose scope the caller builds the model in.</summary>
internal static class Parameters
{
    /// <summary>
    /// A parameter holding <paramref name="make"/>'s tensor, owned by the module rather than by any enclosing dispose
    /// scope (a model built inside a scope would otherwise lose it when the scope ends); temporaries are freed here.
    /// </summary>
    public static Parameter Owned(Func<Tensor> make)
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(make());
        p.DetachFromDisposeScope();
        return p;
    }
}
