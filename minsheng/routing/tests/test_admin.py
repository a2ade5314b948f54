from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from minsheng.routing.models import RouterModel, RoutingRule


def test_admin_lists_rules_feedback_and_models_for_staff_only(
    client, django_user_model, topics, cast
):
    RoutingRule.objects.create(keywords="噪音", category=topics["环境保护"])
    pages = [
        reverse("admin:routing_routingrule_changelist"),
        reverse("admin:routing_routingfeedback_changelist"),
        reverse("admin:routing_routermodel_changelist"),
    ]

    client.force_login(cast.intake)
    for page in pages:
        assert client.get(page).status_code == 302  # to the admin login
    assert client.post(reverse("admin:routing_routermodel_train")).status_code == 302
    assert not RouterModel.objects.exists()

    client.force_login(django_user_model.objects.create_superuser("root", "r@example.cn", "x"))
    for page in pages:
        assert client.get(page).status_code == 200
    models_page = client.get(pages[2]).content.decode()
    assert reverse("admin:routing_routermodel_train") in models_page


def test_train_button_queues_training_for_the_worker(client, django_user_model, topics):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.cn", "x"))
    response = client.post(reverse("admin:routing_routermodel_train"))

    assert response.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "minsheng.routing.jobs.router_train_job"
    assert queued.status == "READY"
    assert not RouterModel.objects.exists()  # the page did not wait for the training


def test_train_button_says_nothing_started_when_the_task_queue_is_down(
    client, django_user_model, topics, broker_down
):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.cn", "x"))
    response = client.post(reverse("admin:routing_routermodel_train"), follow=True)

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not RouterModel.objects.exists()
