namespace GnnSim.Operators;

/// <summary>A config problem with an operator's options: the key (snake_case, without "model."), its value, the rule.</summary>
public sealed record OptionProblem(string Key, object? Value, string Rule);

/// <summary>An operator's config section (<c>model:</c> in the experiment YAML, beside <c>name</c>).</summary>
public interface IOperatorOptions
{
    /// <summary>Every value that breaks a rule; empty when the options are usable.</summary>
    IEnumerable<OptionProblem> Check();
}
