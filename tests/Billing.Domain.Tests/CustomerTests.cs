using Billing.Domain.Common;
using Billing.Domain.Customers;

namespace Billing.Domain.Tests;

public class CustomerTests
{
    [Fact]
    public void Register_NewUser_RaisesRegisteredWithoutStripeId()
    {
        var customer = Customer.Register(TestData.User, " ada@example.com ", TestData.T0);

        var registered = EventAssert.RaisedSingle<CustomerRegistered>(customer);
        Assert.Equal(customer.Id, registered.CustomerId);
        Assert.Equal(TestData.User, registered.UserId);
        Assert.Equal(TestData.T0, registered.OccurredAt);
        Assert.NotEqual(Guid.Empty, customer.Id.Value);
        Assert.Equal(TestData.User, customer.UserId);
        Assert.Equal("ada@example.com", customer.Email);
        Assert.Null(customer.StripeCustomerId);
        Assert.Equal(TestData.T0, customer.CreatedAt);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Register_NoEmail_EmailNull(string? email)
    {
        Assert.Null(Customer.Register(TestData.User, email, TestData.T0).Email);
    }

    [Fact]
    public void Register_TwoCustomers_DistinctIds()
    {
        Assert.NotEqual(Customer.Register(TestData.User, null, TestData.T0).Id, Customer.Register(TestData.User, null, TestData.T0).Id);
    }

    [Fact]
    public void AttachStripeCustomer_First_StoresIdAndRaisesAttached()
    {
        var customer = Registered();

        customer.AttachStripeCustomer("cus_1", TestData.At(5));

        var attached = EventAssert.RaisedSingle<StripeCustomerAttached>(customer);
        Assert.Equal("cus_1", attached.StripeCustomerId);
        Assert.Equal(customer.Id, attached.CustomerId);
        Assert.Equal(TestData.User, attached.UserId);
        Assert.Equal(TestData.At(5), attached.OccurredAt);
        Assert.Equal("cus_1", customer.StripeCustomerId);
    }

    [Fact]
    public void AttachStripeCustomer_SameIdAgain_NoOpWithoutEvent()
    {
        var customer = Registered();
        customer.AttachStripeCustomer("cus_1", TestData.At(5));
        customer.ClearDomainEvents();

        customer.AttachStripeCustomer("cus_1", TestData.At(6));

        EventAssert.None(customer);
        Assert.Equal("cus_1", customer.StripeCustomerId);
    }

    [Fact]
    public void AttachStripeCustomer_DifferentId_RefusedAndKeepsFirst()
    {
        var customer = Registered();
        customer.AttachStripeCustomer("cus_1", TestData.At(5));
        customer.ClearDomainEvents();

        var ex = Assert.Throws<DomainException>(() => customer.AttachStripeCustomer("cus_2", TestData.At(6)));

        Assert.Equal("customer.stripe_id_conflict", ex.Code);
        EventAssert.None(customer);
        Assert.Equal("cus_1", customer.StripeCustomerId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void AttachStripeCustomer_MissingId_Throws(string id)
    {
        var customer = Registered();

        var ex = Assert.Throws<InvalidDomainValueException>(() => customer.AttachStripeCustomer(id, TestData.At(5)));

        Assert.Equal("customer.stripe_id_missing", ex.Code);
        EventAssert.None(customer);
        Assert.Null(customer.StripeCustomerId);
    }

    private static Customer Registered()
    {
        var customer = Customer.Register(TestData.User, null, TestData.T0);
        customer.ClearDomainEvents();
        return customer;
    }
}
