using MediatR;

namespace Billing.Application.Abstractions.Messaging;

/// <summary>A request that changes state. Only commands run inside the unit of work (one transaction, outbox rows included).</summary>
public interface ICommand<out TResult> : IRequest<TResult>
{
}

/// <summary>A request that only reads.</summary>
public interface IQuery<out TResult> : IRequest<TResult>
{
}
