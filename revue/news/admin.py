"""Admin for the archive: articles, images, categories and stories."""

from django.contrib import admin

from revue.news.models import Article, Category, Image, Story


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "category", "language", "published_at")
    list_filter = ("language", "category")
    search_fields = ("title", "url")
    list_select_related = ("source", "category")
    raw_id_fields = ("source", "feed", "image", "story", "duplicate_of")
    filter_horizontal = ()
    exclude = ("images",)
    date_hierarchy = "published_at"
    show_full_result_count = False


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("url", "state", "first_seen_at", "blocked_at")
    list_filter = ("state",)
    search_fields = ("url",)
    show_full_result_count = False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("title", "article_count", "outlet_count", "languages", "last_seen_at")
    raw_id_fields = ("lead",)
    show_full_result_count = False
